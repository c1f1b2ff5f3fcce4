/**
 * The one place workflow code reads the time. Inside the workflow sandbox
 * `Date.now()` is the SDK's deterministic clock (the time of the current
 * workflow task, identical on replay), not the machine's.
 */
export function workflowNow(): number {
  return Date.now();
}
