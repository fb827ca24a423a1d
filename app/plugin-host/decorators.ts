import { DiscoveryService } from '@nestjs/core';
import type { AlerterMeta, CheckMeta, CollectorMeta } from './contracts.js';

/**
 * A plugin decorator: `@Check({ id, title, … })` on the plugin class. `KEY` is the metadata key its meta
 * is stored under (the registry and the loader read it there).
 */
export interface PluginDecorator<M> {
  (meta: M): ClassDecorator;
  readonly KEY: string;
}

/**
 * Class decorators that make a provider a plugin. Put one on the plugin class and list the class in the
 * folder's module; the registry finds it at boot, no central list involved. (Made by Nest's
 * DiscoveryService, typed here without Nest so the SDK's published types need no Nest.)
 */
export const Check: PluginDecorator<CheckMeta<any>> = DiscoveryService.createDecorator<CheckMeta<any>>();
export const Alerter: PluginDecorator<AlerterMeta<any>> = DiscoveryService.createDecorator<AlerterMeta<any>>();
export const Collector: PluginDecorator<CollectorMeta<any>> = DiscoveryService.createDecorator<CollectorMeta<any>>();
