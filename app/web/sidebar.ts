import type { PageNav } from './console-pages.js';

/** A registered page as the sidebar needs it: its path under the base path and its nav metadata. */
export interface NavPage {
  path: string;
  title: string;
  nav: PageNav;
}

export interface CheckType {
  id: string;
  title: string;
}

export interface SidebarEntry {
  label: string;
  /** Path relative to the base path, with its query (`monitors?type=http`). */
  path: string;
  current: boolean;
}

export interface SidebarGroup {
  label: string | null;
  entries: SidebarEntry[];
}

/** SPEC §8: the monitor types in this order, then every other check plugin by title. */
const FIRST_CHECK_TYPES = ['ping', 'http', 'ssl', 'port'];

export function orderCheckTypes(types: readonly CheckType[]): CheckType[] {
  const rank = (id: string) => (FIRST_CHECK_TYPES.includes(id) ? FIRST_CHECK_TYPES.indexOf(id) : FIRST_CHECK_TYPES.length);
  return [...types].sort((a, b) => rank(a.id) - rank(b.id) || a.title.localeCompare(b.title));
}

/**
 * The sidebar from the registered pages and the check plugins found at run time: only pages that exist
 * appear. `currentPath` (relative, with query) marks the entry for the page being shown.
 */
export function buildSidebar(pages: readonly NavPage[], checkTypes: readonly CheckType[], currentPath: string): SidebarGroup[] {
  const [currentPage, currentQuery = ''] = currentPath.split('?');
  const currentType = new URLSearchParams(currentQuery).get('type');
  const sorted = [...pages].sort((a, b) => a.nav.order - b.nav.order || a.title.localeCompare(b.title));
  const groups: SidebarGroup[] = [];
  const add = (group: string | undefined, entry: SidebarEntry) => {
    const label = group ?? null;
    const last = groups[groups.length - 1];
    if (last && last.label === label && label !== null) last.entries.push(entry);
    else groups.push({ label, entries: [entry] });
  };
  for (const page of sorted) {
    if (page.nav.byCheckType) {
      if (page.nav.allLabel) add(page.nav.group, { label: page.nav.allLabel, path: page.path, current: currentPage === page.path && !currentType });
      for (const type of orderCheckTypes(checkTypes)) {
        add(page.nav.group, {
          label: type.title,
          path: `${page.path}?type=${encodeURIComponent(type.id)}`,
          current: currentPage === page.path && currentType === type.id,
        });
      }
    } else {
      add(page.nav.group, { label: page.nav.label ?? page.title, path: page.path, current: currentPage === page.path });
    }
  }
  return groups;
}
