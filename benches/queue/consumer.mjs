// The queue benchmark's JS consumer: counts the bodies of each batch.
export const handler = async (event) => {
  let bytes = 0;
  for (const record of event.Records) bytes += record.body.length;
  return { processed: event.Records.length, bytes };
};
