import type { ComponentChildren } from 'preact';
import type { User } from './session.js';
import { Account } from './Account.js';
import { OverviewPage } from './overview/OverviewPage.js';
import { OrdersPage } from './orders/OrdersPage.js';
import { ShippingPage } from './shipping/ShippingPage.js';
import { StaffPage } from './staff/StaffPage.js';
import { CataloguePage } from './catalogue/CataloguePage.js';
import { ProductPage } from './catalogue/ProductPage.js';
import { InventoryPage } from './inventory/InventoryPage.js';
import { CustomersPage } from './customers/CustomersPage.js';
import { CustomerPage } from './customers/CustomerPage.js';
import { SettingsPage } from './settings/SettingsPage.js';
import { DropsPage } from './drops/DropsPage.js';
import { DropPage } from './drops/DropPage.js';

/**
 * The console's screens: one entry each (its path, its place in the navigation, what it renders). A new screen is
 * one file under console/ plus one line here; the navigation and the router both read this list.
 */
export interface ConsoleRoute {
  /** Matched against the path without a trailing slash; groups are passed to render. */
  path: RegExp;
  /** Shown in the top navigation, in list order. */
  nav?: { href: string; label: string };
  render: (match: RegExpExecArray, user: User) => ComponentChildren;
}

export const ROUTES: ConsoleRoute[] = [
  { path: /^\/console\/overview$/, nav: { href: '/console/overview', label: 'Overview' }, render: () => <OverviewPage /> },
  {
    path: /^\/console\/orders(?:\/([^/]+))?$/,
    nav: { href: '/console/orders', label: 'Orders' },
    render: (match) => <OrdersPage openId={match[1]} />,
  },
  { path: /^\/console\/shipping$/, nav: { href: '/console/shipping', label: 'Shipping' }, render: () => <ShippingPage /> },
  { path: /^\/console\/catalogue$/, nav: { href: '/console/catalogue', label: 'Catalogue' }, render: () => <CataloguePage /> },
  { path: /^\/console\/catalogue\/([^/]+)$/, render: (match) => <ProductPage id={match[1]} /> },
  { path: /^\/console\/drops$/, nav: { href: '/console/drops', label: 'Drops' }, render: () => <DropsPage /> },
  { path: /^\/console\/drops\/([^/]+)$/, render: (match) => <DropPage id={match[1]} /> },
  { path: /^\/console\/inventory$/, nav: { href: '/console/inventory', label: 'Inventory' }, render: () => <InventoryPage /> },
  { path: /^\/console\/customers$/, nav: { href: '/console/customers', label: 'Customers' }, render: () => <CustomersPage /> },
  { path: /^\/console\/customers\/([^/]+)$/, render: (match) => <CustomerPage phone={decodeURIComponent(match[1])} /> },
  { path: /^\/console\/staff$/, nav: { href: '/console/staff', label: 'Staff' }, render: (_, user) => <StaffPage user={user} /> },
  { path: /^\/console\/settings$/, nav: { href: '/console/settings', label: 'Settings' }, render: () => <SettingsPage /> },
  { path: /^\/console\/account$/, nav: { href: '/console/account', label: 'Account' }, render: (_, user) => <Account user={user} /> },
];

export const HOME = '/console/orders';

export function matchRoute(path: string): { route: ConsoleRoute; match: RegExpExecArray } | undefined {
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}
