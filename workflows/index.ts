// What the worker bundles: every saga workflow.
export { signupWorkflow } from './signup.workflow.ts';
export { rentWorkflow } from './rent.workflow.ts';
export { loanWorkflow } from './loan.workflow.ts';
export { returnWorkflow } from './return.workflow.ts';
export { clearOverdueWorkflow } from './clear-overdue.workflow.ts';
export { erasureWorkflow } from './erasure.workflow.ts';
export { settleFeeWorkflow } from './settle-fee.workflow.ts';
