import { hydrate } from 'preact';
import '../base.css';
import type { ShopData } from './model.js';
import { ShopApp } from './App.js';

/**
 * The storefront's browser entry: the server rendered the page and put its data in a JSON element (data, not code: the
 * page's policy runs no inline script); the same components take over that HTML.
 */
const data = JSON.parse(document.getElementById('shop-data')!.textContent!) as ShopData;
hydrate(<ShopApp data={data} />, document.getElementById('app')!);
