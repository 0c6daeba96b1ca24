import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

const ShopBase = createContext('');

/** Gives the page's components its brand prefix: ShopData.base, which the server's brand resolution set. */
export const ShopBaseProvider = ShopBase.Provider;

/**
 * The storefront's links (`/shop`, `/checkout`, `/pay/<id>`, `/track`) under the brand prefix the page was opened
 * under, so a brand's storefront at `/b/<slug>` stays that brand's; on a brand's own host the prefix is ''.
 */
export function useShopHref(): (path: string) => string {
  const base = useContext(ShopBase);
  return (path) => base + path;
}
