import { DiscoveryService } from '@nestjs/core';
import type { AlerterMeta, CheckMeta, CollectorMeta } from './contracts.js';

/**
 * Class decorators that make a provider a plugin. Put one on the plugin class (with @Injectable()) and
 * list the class in the folder's module; the registry finds it at boot, no central list involved.
 */
export const Check = DiscoveryService.createDecorator<CheckMeta<any>>();
export const Alerter = DiscoveryService.createDecorator<AlerterMeta<any>>();
export const Collector = DiscoveryService.createDecorator<CollectorMeta<any>>();
