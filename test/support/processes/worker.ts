/**
 * The worker as the test stack runs it: processes/worker.ts with the fault
 * interceptor (rules in FAULTS_FILE, see test/support/faults.ts) added.
 */
import { runWorkerProcess } from '../../../processes/worker.ts';
import { runMain } from '../../../processes/runtime.ts';
import { faultInterceptor } from '../fault-interceptor.ts';

const faultsFile = process.env.FAULTS_FILE;
runMain(() => runWorkerProcess(faultsFile ? { activityInterceptors: [faultInterceptor(faultsFile)] } : {}));
