# lambdesk's Ruby runtime: Lambda's handler contract inside ruby.wasm.
#
# The host starts the interpreter, evaluates this file, then calls, per execution
# environment:
# - `LambdeskRuntime.init` once (Lambda's Init): requires the handler's file from /var/task.
# - `LambdeskRuntime.invoke(base64)` per event: a line of context JSON, then the event JSON.
#   The response (or Lambda's error JSON) goes to stdout, everything logged to stderr.
# Each answers a status: "0" ok, "1" the handler failed, "2" the environment must go.
#
# Names, messages and formats follow AWS's aws_lambda_ric gem (the runtime Lambda's Ruby
# images run), so handlers and log readers see what they see on Lambda.

require 'json'

module LambdeskRuntime
  TASK_ROOT = '/var/task'
  # stdout carries the response to the host; what the function prints is its log, as on
  # Lambda, so `puts` writes to stderr (the log) and the response has its own handle.
  RESPONSE_OUT = STDOUT
  # The object a FILENAME.METHOD handler's top-level method is called on.
  MAIN = TOPLEVEL_BINDING.receiver
  DRIVER_FILE = __FILE__

  # The handler's `context`, with the attributes and method Lambda's has.
  class LambdaContext
    attr_reader :aws_request_id, :invoked_function_arn, :log_group_name,
                :log_stream_name, :function_name, :memory_limit_in_mb, :function_version,
                :identity, :tenant_id, :client_context, :deadline_ms

    def initialize(context)
      @deadline_ms = context['deadlineMs'].to_i
      @aws_request_id = context['awsRequestId']
      @invoked_function_arn = context['invokedFunctionArn']
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
      @identity = context['identity']
      @tenant_id = nil
      @client_context = context['clientContext']
    end

    def get_remaining_time_in_millis
      remaining = @deadline_ms - Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
      remaining.positive? ? remaining : 0
    end
  end

  # As aws_lambda_ric's LoggerPatch: a Logger to stdout or stderr writes Lambda's format
  # to the log: `I, [time #pid]  INFO <request id> -- progname: message`.
  module LoggerPatch
    def initialize(logdev, *args, formatter: nil, **options)
      if !logdev || logdev == $stdout || logdev == $stderr || logdev == STDOUT || logdev == STDERR
        logdev = $stderr
        formatter ||= LambdeskRuntime::LogFormatter.new
      end
      super(logdev, *args, formatter: formatter, **options)
    end
  end

  LOG_FORMAT = "%<sev>s, [%<datetime>s #%<process>d] %<severity>5s %<request_id>s -- %<progname>s: %<msg>s\n"

  # Logger is patched when the function's code loads it (see Object#require below), not
  # before: loading it in every environment cost a tenth of a cold start.
  def self.patch_logger
    return if @logger_patched || !defined?(::Logger::Formatter)

    @logger_patched = true
    formatter = Class.new(::Logger::Formatter) do
      def call(severity, time, progname, msg)
        (LOG_FORMAT % { sev: severity[0..0], datetime: format_datetime(time), process: LambdeskRuntime.pid,
                        severity: severity, request_id: $_global_aws_request_id, progname: progname,
                        msg: msg2str(msg) }).encode!('UTF-8')
      end
    end
    const_set(:LogFormatter, formatter)
    ::Logger.prepend(LoggerPatch)
  end

  class << self
    def pid
      @pid ||= begin
        Process.pid
      rescue NotImplementedError
        1
      end
    end

    def init
      handler = ENV['_HANDLER'].to_s
      $LOAD_PATH.unshift(TASK_ROOT) unless $LOAD_PATH.include?(TASK_ROOT)
      begin
        Dir.chdir(TASK_ROOT)
      rescue SystemCallError
        nil
      end
      parts = handler.split('.')
      if parts.size == 2
        @file, @method = parts
      elsif parts.size == 3
        @file, @class, @method = parts
      else
        raise ArgumentError, "Invalid handler #{parts}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD where FILENAME corresponds with an existing Ruby source file FILENAME.rb, CLASS is an optional module/class namespace and METHOD is a callable method. If using CLASS, METHOD must be a class-level method."
      end
      require @file
      '0'
    rescue Exception => e # rubocop:disable Lint/RescueException -- any error of the user's top level
      fail_with(error_json(e, 'Init'), "Init error when loading handler #{handler}")
      '2'
    end

    def invoke(encoded)
      request = encoded.unpack1('m0').force_encoding(Encoding::UTF_8)
      context_line, event_text = request.split("\n", 2)
      context = JSON.parse(context_line)
      $_global_aws_request_id = context['awsRequestId']
      ENV['LAMBDESK_GATEWAY_URL'] = context['gatewayUrl'] if context['gatewayUrl']
      begin
        event = JSON.parse(event_text)
        opts = { event: event, context: LambdaContext.new(context) }
        response = if @class
                     Kernel.const_get(@class).send(@method, **opts)
                   else
                     MAIN.__send__(@method, **opts)
                   end
        body = if response.is_a?(IO) || (defined?(::StringIO) && response.is_a?(::StringIO))
                 response.read
               else
                 response.to_json
               end
      rescue NameError => e # NoMethodError too: aws_lambda_ric ends the environment
        fail_with(error_json(e, 'Function'), 'Critical exception from handler')
        return '2'
      rescue StandardError => e
        fail_with(error_json(e, 'Function'), 'Error raised from handler method')
        return '1'
      rescue Exception => e # rubocop:disable Lint/RescueException -- as aws_lambda_ric
        fail_with(error_json(e, 'Function'), 'Critical exception from handler')
        return '2'
      end
      respond(body)
      '0'
    end

    private

    def error_json(error, classification)
      locations = error.backtrace_locations || []
      trace = []
      locations.first(100).each do |location|
        break if location.path == DRIVER_FILE

        trace << location.to_s
      end
      { errorMessage: error.message, errorType: "#{classification}<#{error.class}>", stackTrace: trace }
    end

    def fail_with(error, message)
      $stderr.puts message
      $stderr.puts JSON.pretty_generate(error)
      respond(error.to_json)
    end

    def respond(body)
      RESPONSE_OUT.write(body)
      RESPONSE_OUT.flush
    end
  end
end

# The interpreter starts with --disable-gems: RubyGems' own start (dozens of files) was
# two thirds of a cold start. It is loaded the first time a `require` needs it — a bundled
# gem (`base64`), a gem vendored under GEM_PATH — and from then on works as usual
# (RubyGems redefines Kernel#require, which this calls through `super`).
class Object
  private

  def require(path)
    loaded = begin
      super
    rescue LoadError
      raise if defined?(::Gem::Specification)

      super('rubygems')
      super
    end
    LambdeskRuntime.patch_logger if defined?(::Logger)
    loaded
  end
end

$stdout = $stderr
'0'
