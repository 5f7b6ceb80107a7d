// Scheduled job: invoked by an EventBridge schedule with a "Scheduled Event".
export const handler = async (event) => {
  const firedAt = new Date(event.time ?? Date.now());
  console.log(`scheduled run for ${event.resources?.[0] ?? "a schedule"} at ${firedAt.toISOString()}`);
  // Put the periodic work here: clean-up, reports, reminders.
  return { ok: true, firedAt: firedAt.toISOString() };
};
