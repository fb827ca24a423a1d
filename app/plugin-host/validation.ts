/**
 * class-validator, for plugin config classes (`@IsString()`, `@Min(1)`, `@IsIn([...])`, …): a drop-in
 * plugin takes it from the SDK, because its validation metadata must land in the host's instance (and
 * the single executables carry no node_modules). Its documentation applies as it is.
 */
export * from 'class-validator';
