import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ConsolePagesMark, PAGE_META, type PageMeta } from './console-pages.js';
import { buildSidebar, type NavPage, type SidebarGroup } from './sidebar.js';

export interface RegisteredPage {
  /** Path under the base path, without leading slash (`tokens`, `` for the home page). */
  path: string;
  meta: PageMeta;
}

function joinPaths(...parts: (string | string[] | undefined)[]): string {
  return parts
    .map((part) => (Array.isArray(part) ? (part[0] ?? '') : (part ?? '')))
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
}

/**
 * Every console page, found once at start on the controllers marked @ConsoleController (the way the
 * plugin registry finds plugins): a feature adds pages by declaring them, with no list to edit here.
 */
@Injectable()
export class PageRegistry implements OnModuleInit {
  private pages: RegisteredPage[] = [];
  private navPages: NavPage[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly plugins: PluginRegistry,
  ) {}

  onModuleInit(): void {
    const pages: RegisteredPage[] = [];
    for (const wrapper of this.discovery.getControllers({ metadataKey: ConsolePagesMark.KEY })) {
      const prototype = Object.getPrototypeOf(wrapper.instance) as object;
      const controllerPath = Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) as string | string[] | undefined;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method] as object;
        const meta = Reflect.getMetadata(PAGE_META, handler) as PageMeta | undefined;
        if (!meta) continue;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        pages.push({ path: joinPaths(controllerPath, methodPath), meta });
      }
    }
    this.pages = pages;
    this.navPages = pages.flatMap((page) => (page.meta.nav ? [{ path: page.path, title: page.meta.title, nav: page.meta.nav }] : []));
  }

  all(): readonly RegisteredPage[] {
    return this.pages;
  }

  /** The sidebar for a request to `currentPath` (relative to the base path, with its query). */
  sidebar(currentPath: string): SidebarGroup[] {
    const checkTypes = this.plugins.checks().map((check) => ({ id: check.id, title: check.meta.title }));
    return buildSidebar(this.navPages, checkTypes, currentPath);
  }

  /** Where signing in leads: the first page of the sidebar. */
  home(): string {
    return this.sidebar('')[0]?.entries[0]?.path ?? '';
  }
}
