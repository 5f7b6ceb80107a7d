// Lambda's response streaming: the global `awslambda` with `streamifyResponse` and
// `HttpResponseStream`, as AWS's Node.js runtime client has them (UserFunction.js,
// HttpResponseStream.js, ResponseStream.js, Runtime.js `handleOnceStreaming`). Each chunk a
// streaming handler writes leaves the guest as it is written (response_stream_natives.rs),
// so the host can send it to the client while the handler still runs.
(function installStreaming(natives, internal) {
  "use strict";
  const { builtin } = internal;
  const { Writable } = builtin("stream");

  const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
  const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
  const STREAM_RESPONSE = "response";
  const METADATA_PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
  const DEFAULT_CONTENT_TYPE = "application/octet-stream";
  // The JSON prelude ends with 8 NUL bytes; JSON.stringify never writes a NUL.
  const DELIMITER_LEN = 8;
  // What the host answers when the stream is past Lambda's limit for streamed responses.
  const WRITE_TOO_LARGE = 1;

  function invalidStreamingOperation(message) {
    const error = new Error(message);
    error.name = "Runtime.InvalidStreamingOperation";
    return error;
  }

  // Only the stream of the invocation running now reaches the host: one left over from an
  // earlier invocation (a timer still writing) must not mix into another's response.
  let activeStream = null;

  // The `responseStream` a streaming handler gets: a Writable whose chunks go to the host,
  // with AWS's `setContentType` and the `_onBeforeFirstWrite` hook HttpResponseStream uses.
  class ResponseStream extends Writable {
    constructor(highWaterMark) {
      super(highWaterMark === undefined ? {} : { highWaterMark });
      this._contentType = DEFAULT_CONTENT_TYPE;
      this._writeCalled = false;
      this._opened = false;
      this._onBeforeFirstWrite = undefined;
    }

    setContentType(contentType) {
      if (this._writeCalled) throw invalidStreamingOperation("Cannot set content-type, too late.");
      this._contentType = String(contentType);
    }

    // As AWS's `write`: values that are not text or bytes are written as JSON, and the
    // first write is preceded by what `_onBeforeFirstWrite` writes (the HTTP prelude).
    write(chunk, encoding, callback) {
      if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
      this._beforeFirstWrite();
      return super.write(chunk, encoding, callback);
    }

    // Node's `end(chunk)` writes without calling `write`; here it goes through `write`, so
    // `HttpResponseStream.from(stream, prelude).end(body)` sends its prelude too.
    end(chunk, encoding, callback) {
      if (typeof chunk === "function") [callback, chunk, encoding] = [chunk, undefined, undefined];
      else if (typeof encoding === "function") [callback, encoding] = [encoding, undefined];
      if (chunk !== undefined && chunk !== null && !this.writableEnded) this.write(chunk, encoding);
      else this._beforeFirstWrite();
      return super.end(callback);
    }

    _beforeFirstWrite() {
      if (this._writeCalled || this.writableEnded) return;
      this._writeCalled = true;
      if (typeof this._onBeforeFirstWrite === "function") this._onBeforeFirstWrite((part) => super.write(part));
    }

    _open() {
      if (this._opened || activeStream !== this) return;
      this._opened = true;
      natives.responseStreamOpen(this._contentType);
    }

    _write(chunk, encoding, callback) {
      this._open();
      if (activeStream !== this) return callback();
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      if (natives.responseStreamWrite(bytes) === WRITE_TOO_LARGE) {
        const error = new Error("Response payload size exceeded maximum allowed payload size for streamed responses.");
        error.name = "Function.ResponseSizeTooLarge";
        return callback(error);
      }
      callback();
    }

    _final(callback) {
      this._open();
      callback();
    }
  }

  // Resolves when `stream` has finished (ended and every chunk sent); rejects when it
  // fails or is closed unfinished, as the runtime's request to Lambda would. Listening from
  // the start, as AWS's runtime does: a failed write is never an unhandled 'error' event.
  function finished(stream) {
    const done = new Promise((resolve, reject) => {
      stream.once("finish", resolve);
      stream.once("error", reject);
      stream.once("close", () => {
        if (!stream.writableFinished) reject(stream.errored || "Response stream is not finished.");
      });
    });
    done.catch(() => {});
    return done;
  }

  // What the handler module exports: a function the bootstrap calls as any other handler
  // (event, context), which gives the user's handler a response stream instead of the
  // context in second place and settles once the stream has finished (Runtime.js).
  function streamingHandler(handler) {
    const invoke = function streamingInvocation(event, context) {
      const responseStream = new ResponseStream(handler[HANDLER_HIGHWATERMARK]);
      const done = finished(responseStream);
      activeStream = responseStream;
      // The stream stops reaching the host when the invocation ends, however it ends.
      const release = () => { if (activeStream === responseStream) activeStream = null; };
      let result;
      try {
        result = handler(event, responseStream, context);
      } catch (error) {
        release();
        throw error;
      }
      if (!result || typeof result.then !== "function") {
        release();
        // AWS reports this string as the error (errorType "string").
        return Promise.reject("Streaming does not support non-async handlers.");
      }
      return Promise.resolve(result).then((value) => {
        if (value !== undefined) console.warn("Streaming handlers ignore return values.");
        return done;
      }).then(() => { release(); }, (error) => { release(); throw error; });
    };
    invoke[HANDLER_STREAMING] = STREAM_RESPONSE;
    return invoke;
  }

  class HttpResponseStream {
    // Implements the application/vnd.awslambda.http-integration-response content type:
    // the JSON prelude (statusCode, headers, cookies), 8 NUL bytes, then the body.
    static from(underlyingStream, prelude) {
      underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
      const metadataPrelude = JSON.stringify(prelude);
      underlyingStream._onBeforeFirstWrite = (write) => {
        write(metadataPrelude);
        write(new Uint8Array(DELIMITER_LEN));
      };
      return underlyingStream;
    }
  }

  globalThis.awslambda = {
    // AWS marks the handler and returns it; here the mark is on what is returned, the
    // handler wrapped to run with a response stream.
    streamifyResponse(handler, options) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof (options && options.highWaterMark) === "number") handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      return streamingHandler(handler);
    },
    HttpResponseStream,
  };
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
