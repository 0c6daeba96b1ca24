import { useEffect, useState } from 'preact/hooks';
import type { Product } from '../model.js';
import { api } from './api.js';
import { alignClock } from './clock.js';
import { listenLive } from './live.js';

/** The events of GET /live/catalogue (see the API documentation of that route). */
export interface CatalogueSnapshot {
  serverTime: string;
  products: { productId: string; drop: { opensAt: string | null }; variants: { variantId: string; available: number }[] }[];
}
export interface StockEvent {
  productId: string;
  variantId: string;
  available: number;
}
interface DropEvent {
  productId: string;
  state: string;
}

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
  const ids = initial
    .map((p) => p.id)
    .slice(0, 100)
    .join(',');

  useEffect(() => setProducts(initial), [ids]);

  useEffect(() => {
    if (!ids) return;
    const update = (productId: string, change: (p: Product) => Product) =>
      setProducts((list) => list.map((p) => (p.id === productId ? change(p) : p)));
    const setAvailable = (productId: string, variantId: string, available: number) =>
      update(productId, (p) => ({ ...p, variants: p.variants.map((v) => (v.id === variantId ? { ...v, available } : v)) }));
    const reread = async (productId: string) => {
      const { data, response } = await api().GET('/products/{id}', { params: { path: { id: productId } } });
      if (data) update(productId, () => data);
      else if (response.status === 404) update(productId, (p) => ({ ...p, status: 'ARCHIVED', purchasable: false }));
    };
    return listenLive({
      connect: (signal) => api().GET('/live/catalogue', { params: { query: { products: ids } }, parseAs: 'stream', signal }),
      onEvent(event, data) {
        if (event === 'snapshot') {
          const snapshot = data as CatalogueSnapshot;
          alignClock(snapshot.serverTime);
          const fresh = new Map(snapshot.products.map((p) => [p.productId, p]));
          setProducts((list) =>
            list.map((p) => {
              const live = fresh.get(p.id);
              if (!live) return { ...p, status: 'ARCHIVED', purchasable: false };
              const available = new Map(live.variants.map((v) => [v.variantId, v.available]));
              return {
                ...p,
                availableFrom: live.drop.opensAt,
                variants: p.variants.map((v) => ({ ...v, available: available.get(v.id) ?? v.available })),
              };
            }),
          );
        } else if (event === 'stock') {
          const stock = data as StockEvent;
          setAvailable(stock.productId, stock.variantId, stock.available);
        } else if (event === 'product') {
          void reread((data as { productId: string }).productId);
        } else if (event === 'drop') {
          const drop = data as DropEvent;
          if (drop.state === 'open') setOpened((set) => new Set([...set, drop.productId]));
        }
      },
    });
  }, [ids]);

  return { products, opened };
}
