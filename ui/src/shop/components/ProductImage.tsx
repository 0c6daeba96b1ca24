import styles from './ProductImage.module.css';

/**
 * A product picture in a box of fixed shape, so nothing moves when it loads (or fails to: the box stays, with the
 * product's name as its text alternative).
 */
export function ProductImage({ src, alt, eager = false }: { src?: string; alt: string; eager?: boolean }) {
  return (
    <div class={styles.box}>
      {src && <img class={styles.image} src={src} alt={alt} width={600} height={600} loading={eager ? 'eager' : 'lazy'} decoding="async" />}
    </div>
  );
}
