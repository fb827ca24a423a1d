/**
 * The plugin SDK's version (semver), separate from Pulse's: a drop-in plugin names the SDK range it was
 * built against (`peerDependencies["@lillydoo-pulse/plugin-sdk"]` in its package.json) and is refused at
 * start when this version is outside it or of another major. Raise the minor for additions, the major
 * for anything a built plugin could trip over (a removed or changed export, a changed contract).
 * packages/plugin-sdk/package.json carries the same version.
 */
export const PLUGIN_SDK_VERSION = '1.1.0';

/** The name drop-in plugins import the SDK by, and the name of its published types. */
export const PLUGIN_SDK_PACKAGE = '@lillydoo-pulse/plugin-sdk';
