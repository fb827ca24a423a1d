import assert from 'node:assert/strict';
import { PluginError } from '../../app/plugin-host/contracts.js';

/** The PluginError a plugin call rejects with; fails the test when it resolves or throws something else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<PluginError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PluginError, `expected a PluginError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}
