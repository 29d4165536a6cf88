import type { GuideReading } from './guide.ts';
import type { CategoryKind, ServiceEntry, ServiceItem, Where } from './entries.ts';
import type { Channel, IdentitySystem } from './login.ts';
import type { CompatMarker } from './compat.ts';

/**
 * Observations of the `services` gatherer (src/gather/services.ts), read by the service checks.
 */

export interface EntryObs extends ServiceEntry {
  /** Link check outcome of the target: ok (opened, or not checked), broken, unverified. */
  outcome: 'ok' | 'broken' | 'unverified';
  status?: number;
  error?: string;
  where: Where;
  /** Named by the sites file (gather.services.hall), not linked by the site. */
  configured?: boolean;
}

export interface HallObs {
  url: string;
  where: Where;
  via: 'html' | 'json' | 'rendered';
  ok: boolean;
  status?: number;
  error?: string;
  items: number;
  /** Category labels shown on the hall (个人办事, 法人办事, 按主题, 按部门 …), by kind. */
  categories: Partial<Record<CategoryKind, string[]>>;
  jsonUrl?: string;
}

export interface ItemObs extends ServiceItem {
  key: string;
  where: Where;
}

export interface GuideObs {
  key: string;
  url: string;
  where: Where;
  /** How it was read: the page's HTML, the JSON its script calls, or the rendered page. */
  via: 'html' | 'json' | 'rendered' | 'none';
  ok: boolean;
  status?: number;
  error?: string;
  /** The page opened but its content is filled by scripts that could not be read (no endpoint, no browser). */
  dynamic?: boolean;
  jsonUrl?: string;
  reading?: GuideReading;
  /** Names of the items linking to it. */
  items: string[];
}

export interface LoginObs {
  page: string;
  channel: Channel;
  text: string;
  target: string;
  finalUrl?: string;
  system: IdentitySystem;
  /** Every channel whose pages carry this link. */
  channels: Channel[];
  /** The login page links on to another system found here (a local page offering the unified login): its key. */
  delegatesTo?: string;
}

export const SERVICE_KINDS = {
  entry: 'service.entry',
  hall: 'service.hall',
  item: 'service.item',
  guide: 'service.guide',
  login: 'service.login',
} as const;

/** Observation of the `render-compat` gatherer (src/gather/render-compat.ts): one page rendered (or not). */
export interface CompatObs {
  url: string;
  /** home / column / content / other (the page's classification). */
  pageKind: string;
  /** Why it is in the sample: homepage, column, content, marker. */
  sampled: 'homepage' | 'column' | 'content' | 'marker';
  markers: CompatMarker[];
  staticChars: number;
  /** Visible text of the rendered DOM; absent when not rendered. */
  renderedChars?: number;
  rendered: boolean;
  /** Render failure ("timeout: …", "render: …"). */
  error?: string;
  /** Errors the page's scripts threw, when the renderer reports them. */
  pageErrors?: string[];
  screenshot?: string;
}

export const COMPAT_KIND = 'render.compat';
