import { useEffect, useState } from 'preact/hooks';
import type { Product } from '../model.js';
import { api } from './api.js';
import { alignClock } from './clock.js';
import { listenLive } from './live.js';

export interface LiveCatalogue {
  products: Product[];
  /** Products whose drop the server announced open (whatever this device's clock says). */
  opened: ReadonlySet<string>;
}

/**
 * Products as shown, kept current over GET /live/catalogue: stock per variant as it sells, the product itself when
 * staff change it (read again), and its drop flipping open at the moment the server says so. No polling.
 */
export function useLiveProducts(initial: Product[]): LiveCatalogue {
  const [products, setProducts] = useState(initial);
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const ids = initial.map((p) => p.id).slice(0, 100).join(',');

  useEffect(() => setProducts(initial), [ids]);

  useEffect(() => {
    if (!ids) return;
    const update = (productId: string, change: (p: Product) => Product) => setProducts((list) => list.map((p) => (p.id === productId ? change(p) : p)));
    const setAvailable = (productId: string, variantId: string, available: number) =>
      update(productId, (p) => ({ ...p, variants: p.variants.map((v) => (v.id === variantId ? { ...v, available } : v)) }));
    const reread = async (productId: string) => {
      const { data, response } = await api().GET('/products/{idOrSlug}', { params: { path: { idOrSlug: productId } } });
      if (data) update(productId, () => data);
      else if (response.status === 404) update(productId, (p) => ({ ...p, status: 'ARCHIVED', purchasable: false }));
    };
    return listenLive({
      connect: (signal) => api().GET('/live/catalogue', { params: { query: { products: ids } }, parseAs: 'stream', signal }),
      onEvent(event, data) {
        if (event === 'snapshot') {
          alignClock(data.serverTime);
          const fresh = new Map<string, { drop: { opensAt: string | null }; variants: { variantId: string; available: number }[] }>(
            data.products.map((p: { productId: string }) => [p.productId, p]),
          );
          setProducts((list) =>
            list.map((p) => {
              const live = fresh.get(p.id);
              if (!live) return { ...p, status: 'ARCHIVED', purchasable: false };
              const available = new Map(live.variants.map((v) => [v.variantId, v.available]));
              return { ...p, availableFrom: live.drop.opensAt, variants: p.variants.map((v) => ({ ...v, available: available.get(v.id) ?? v.available })) };
            }),
          );
        } else if (event === 'stock') {
          setAvailable(data.productId, data.variantId, data.available);
        } else if (event === 'product') {
          void reread(data.productId);
        } else if (event === 'drop' && data.state === 'open') {
          setOpened((set) => new Set([...set, data.productId]));
        }
      },
    });
  }, [ids]);

  return { products, opened };
}
