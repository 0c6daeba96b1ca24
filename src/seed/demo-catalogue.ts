/** A small fashion-and-food D2C catalogue so a fresh install has something to browse and buy. Prices in paise. */
export const DEMO_CATALOGUE = [
  {
    slug: 'indigo-block-print-kurta', name: 'Indigo Block-Print Kurta', category: 'apparel',
    description: 'Hand block-printed cotton kurta, dyed with natural indigo.', images: ['https://images.example.com/kurta-indigo.jpg'],
    variants: ['S', 'M', 'L', 'XL'].map((size, i) => ({ sku: `KURTA-IND-${size}`, name: `Size ${size}`, attributes: { size, colour: 'indigo' }, priceMinor: 189900, currency: 'INR', stock: [12, 20, 20, 8][i] })),
  },
  {
    slug: 'handloom-cotton-saree', name: 'Handloom Cotton Saree', category: 'apparel',
    description: 'Six yards of handloom cotton with a zari border.', images: ['https://images.example.com/saree.jpg'],
    variants: ['mustard', 'rust', 'teal'].map((colour, i) => ({ sku: `SAREE-${colour.toUpperCase()}`, name: colour[0].toUpperCase() + colour.slice(1), attributes: { colour }, priceMinor: 349900, currency: 'INR', stock: [5, 7, 3][i] })),
  },
  {
    slug: 'single-origin-coffee', name: 'Single-Origin Coffee, Chikmagalur', category: 'food',
    description: 'Medium roast arabica from a single estate.', images: ['https://images.example.com/coffee.jpg'],
    variants: [['250g', 54900, 60], ['500g', 99900, 40], ['1kg', 179900, 15]].map(([weight, price, stock]) => ({ sku: `COFFEE-CHK-${weight}`, name: String(weight), attributes: { weight }, priceMinor: Number(price), currency: 'INR', stock: Number(stock) })),
  },
  {
    slug: 'limited-drop-sneakers', name: 'Limited Drop Sneakers', category: 'footwear',
    description: 'Ten pairs only. Sold on a first-paid basis.', images: ['https://images.example.com/sneakers.jpg'],
    variants: [{ sku: 'SNEAKER-DROP-9', name: 'UK 9', attributes: { size: 'UK 9' }, priceMinor: 1299900, currency: 'INR', stock: 10 }],
  },
];
