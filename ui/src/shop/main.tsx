import { hydrate } from 'preact';
import '../base.css';
import type { ShopData } from './model.js';
import { ShopApp } from './App.js';

/**
 * The storefront's browser entry: the server rendered the page and put its data in a JSON element (data, not code: the
 * page's policy runs no inline script); the same components take over that HTML.
 */
const dataElement = document.getElementById('shop-data');
const root = document.getElementById('app');
if (!dataElement?.textContent || !root) throw new Error('The page has no #shop-data or #app element');
hydrate(<ShopApp data={JSON.parse(dataElement.textContent) as ShopData} />, root);
