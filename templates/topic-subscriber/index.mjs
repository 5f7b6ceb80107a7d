// Topic subscriber: each SNS record carries one notification.
export const handler = async (event) => {
  const messages = (event.Records ?? []).map((record) => {
    const { Subject, Message, MessageAttributes } = record.Sns;
    console.log(`notification: ${Subject ?? "(no subject)"}`);
    return { subject: Subject, message: Message, attributes: Object.keys(MessageAttributes ?? {}) };
  });
  return { received: messages.length, messages };
};
