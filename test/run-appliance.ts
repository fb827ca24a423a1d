/** `npm run test:appliance`: the appliance stage alone (test/support/appliance-stage.ts); `npm test` runs it last. */
import { runApplianceStage } from './support/appliance-stage.js';

const result = await runApplianceStage((line) => console.log(line));
console.log(`\ntest:appliance ${result.outcome}: ${result.summary}`);
process.exitCode = result.outcome === 'failed' ? 1 : result.outcome === 'skipped' ? 1 : 0;
