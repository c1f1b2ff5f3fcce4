// What the worker bundles: every saga workflow.
export { signupWorkflow } from './signup.workflow.ts';
