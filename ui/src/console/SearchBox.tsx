import { useEffect, useState } from 'preact/hooks';
import styles from './Page.module.css';

/** A list page's search field: reports the trimmed text once typing pauses, so a word typed is one request, not one a key. */
export function SearchBox({ label, placeholder, onSearch }: { label: string; placeholder: string; onSearch: (q: string) => void }) {
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => onSearch(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  return (
    <input
      class={styles.searchBox}
      type="search"
      aria-label={label}
      placeholder={placeholder}
      value={typed}
      onInput={(e) => setTyped(e.currentTarget.value)}
    />
  );
}
