// lambdesk's messaging module and the AWS SDK v3 clients for SQS and SNS, over the
// function's /outbox; the commands and clients the other SDK shims (s3.js) build on.
(function installAwsSdk(internal) {
  "use strict";
  const { defineBuiltin, builtin, environment } = internal;
  const fs = builtin("fs");

  // `import { sendMessage, publish } from "lambdesk"`: SQS SendMessage and SNS Publish.
  // Each message is one JSON file in the function's /outbox; lambdesk sends them when the
  // invocation ends. Permissions come from [permissions] queues/topics, as an execution
  // role's would.
  let outboxSequence = 0;
  function permitted(variable, name) {
    const list = environment[variable];
    return typeof list === "string" && list.split(",").includes(name);
  }
  function accessDenied(action, kind, name) {
    const error = new Error(`User is not authorized to perform: ${action} on ${kind} ${name}: add it to [permissions] ${kind}s in function.toml`);
    error.name = "AccessDeniedException";
    error.Code = "AccessDenied";
    return error;
  }
  function outgoingAttributes(attributes) {
    const out = {};
    for (const [name, value] of Object.entries(attributes || {})) {
      if (typeof value === "string") out[name] = { type: "String", value };
      else if (typeof value === "number" || typeof value === "bigint") out[name] = { type: "Number", value: String(value) };
      else if (Array.isArray(value)) out[name] = { type: "String.Array", value: JSON.stringify(value) };
      else if (value && typeof value === "object") {
        const type = value.type || value.DataType || value.Type;
        const binary = value.BinaryValue === undefined ? undefined : globalThis.Buffer.from(value.BinaryValue).toString("base64");
        const text = value.value ?? value.StringValue ?? value.Value ?? binary;
        if (typeof type !== "string" || text === undefined) throw new TypeError(`Message attribute ${name} needs a type and a value`);
        out[name] = { type, value: String(text) };
      } else throw new TypeError(`Message attribute ${name} must be a string, a number, an array or { type, value }`);
    }
    return out;
  }
  function textOf(what, value) {
    if (typeof value === "string") return value;
    if (value === undefined) throw new TypeError(`The ${what} is missing`);
    return JSON.stringify(value);
  }
  function writeOutgoing(record) {
    const dir = environment.LAMBDESK_OUTBOX;
    if (!dir) throw new Error("This function has no outbox: give it [permissions] queues or topics in function.toml");
    outboxSequence += 1;
    const name = `${String(Date.now()).padStart(15, "0")}-${String(outboxSequence).padStart(9, "0")}.json`;
    fs.writeFileSync(`${dir}/${name}`, JSON.stringify(record));
  }
  const lambdesk = {
    async sendMessage(queue, body, options = {}) {
      if (!permitted("LAMBDESK_QUEUES", queue)) throw accessDenied("sqs:SendMessage", "queue", queue);
      const messageId = crypto.randomUUID();
      const record = { type: "queue", messageId, queue, body: textOf("message body", body), attributes: outgoingAttributes(options.attributes) };
      if (options.groupId !== undefined) record.groupId = String(options.groupId);
      if (options.deduplicationId !== undefined) record.deduplicationId = String(options.deduplicationId);
      writeOutgoing(record);
      return { MessageId: messageId };
    },
    async publish(topic, message, options = {}) {
      if (!permitted("LAMBDESK_TOPICS", topic)) throw accessDenied("sns:Publish", "topic", topic);
      const messageId = crypto.randomUUID();
      const record = { type: "topic", messageId, topic, message: textOf("message", message), attributes: outgoingAttributes(options.attributes) };
      if (options.subject !== undefined) record.subject = String(options.subject);
      writeOutgoing(record);
      return { MessageId: messageId };
    },
  };
  // AWS SDK v3 shapes over the same outbox, so a handler written for AWS runs unchanged:
  // `new SQSClient({}).send(new SendMessageCommand({ QueueUrl, MessageBody }))` and
  // `new SNSClient({}).send(new PublishCommand({ TopicArn, Message }))`. The queue is the
  // last part of the URL, the topic the last part of the ARN.
  const queueOf = (url) => String(url || "").split("/").filter(Boolean).pop() || "";
  const topicOf = (arn) => String(arn || "").split(":").pop() || "";
  function sdkOptions(input) {
    const options = { attributes: input.MessageAttributes };
    if (input.MessageGroupId !== undefined) options.groupId = input.MessageGroupId;
    if (input.MessageDeduplicationId !== undefined) options.deduplicationId = input.MessageDeduplicationId;
    return options;
  }
  const metadata = () => ({ httpStatusCode: 200, requestId: crypto.randomUUID(), attempts: 1, totalRetryDelay: 0 });
  class Command { constructor(input) { this.input = input || {}; } }
  class SendMessageCommand extends Command {
    async run() {
      const { MessageId } = await lambdesk.sendMessage(queueOf(this.input.QueueUrl), this.input.MessageBody, sdkOptions(this.input));
      return { MessageId, $metadata: metadata() };
    }
  }
  class SendMessageBatchCommand extends Command {
    async run() {
      const Successful = [];
      for (const entry of this.input.Entries || []) {
        const { MessageId } = await lambdesk.sendMessage(queueOf(this.input.QueueUrl), entry.MessageBody, sdkOptions(entry));
        Successful.push({ Id: entry.Id, MessageId });
      }
      return { Successful, Failed: [], $metadata: metadata() };
    }
  }
  class PublishCommand extends Command {
    async run() {
      const options = { attributes: this.input.MessageAttributes };
      if (this.input.Subject !== undefined) options.subject = this.input.Subject;
      const { MessageId } = await lambdesk.publish(topicOf(this.input.TopicArn || this.input.TargetArn), this.input.Message, options);
      return { MessageId, $metadata: metadata() };
    }
  }
  class Client {
    constructor(config) { this.config = config || {}; }
    async send(command) {
      if (!(command instanceof Command)) throw new TypeError("lambdesk supports the SQS, SNS and S3 commands of its @aws-sdk/client-sqs, client-sns and client-s3");
      return command.run();
    }
    destroy() {}
  }
  class SQSClient extends Client {}
  class SNSClient extends Client {}
  const clientSqs = { SQSClient, SendMessageCommand, SendMessageBatchCommand };
  const clientSns = { SNSClient, PublishCommand };

  // For the other clients (s3.js).
  internal.awsSdk = { Command, Client };
  defineBuiltin("lambdesk", () => lambdesk, { node: false });
  defineBuiltin("@aws-sdk/client-sqs", () => clientSqs, { node: false });
  defineBuiltin("@aws-sdk/client-sns", () => clientSns, { node: false });
})(globalThis.__lambdesk_internal);
