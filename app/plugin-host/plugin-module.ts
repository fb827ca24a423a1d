import { Inject as NestInject, Module, Optional as NestOptional } from '@nestjs/common';

/*
 * The few Nest pieces a plugin needs, from the SDK: a drop-in plugin cannot import @nestjs/common itself
 * (the single executables carry no node_modules, and a second copy would not be the host's). Typed here
 * without Nest, so the SDK's published types need no Nest either. Built-in plugins may use @nestjs/common
 * directly; these are the same functions.
 */

/** A plugin class, or a value provider (`{ provide: TOKEN, useValue }`) it injects. */
export type PluginProvider = (abstract new (...args: any[]) => object) | { provide: string | symbol; useValue: unknown };

/**
 * The module a plugin folder's entry default-exports: `@PluginModule({ providers: [TcpBannerCheck] })
 * export default class TcpBannerModule {}`. The same as Nest's `@Module({ providers })`.
 */
export function PluginModule(metadata: { providers: PluginProvider[] }): ClassDecorator {
  return Module({ providers: metadata.providers as never[] });
}

/** Injects what the host provides under `token` into a constructor parameter: `@Inject(PLUGIN_SETTINGS) settings: PluginSettings`. */
export function Inject(token: string | symbol): ParameterDecorator {
  return NestInject(token) as ParameterDecorator;
}

/** The injected value may be missing (undefined then), e.g. when a spec builds the class itself. */
export function Optional(): ParameterDecorator {
  return NestOptional() as ParameterDecorator;
}
