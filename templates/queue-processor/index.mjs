// Queue batch processor with partial batch failures: return the ids of the messages
// that failed, and only those become visible again (report_batch_item_failures = true).
const process = async (message) => {
  const order = JSON.parse(message.body);
  if (!order.id) throw new Error("an order needs an id");
  console.log(`order ${order.id}: ${order.quantity ?? 1} item(s)`);
};

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      await process(record);
    } catch (error) {
      console.error(`message ${record.messageId} failed: ${error.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
