/* The least a Runtime API client can do, to measure lambdesk's side of the hop without a
 * client library's own cost: one kept-alive connection, blocking reads, a fixed answer.
 *
 *   cc -O2 benches/runtime_api_minimal_client.c -o /tmp/minimal-bootstrap
 *   (cargo bench --bench provided_invoke builds and runs it beside the crate's clients)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buffer[1 << 20];

/* Reads one response (headers, then Content-Length bytes of body); copies the request id
 * header into request_id when given. */
static void read_response(int sock, char *request_id) {
  int got = 0;
  char *headers_end = NULL;
  while (!headers_end) {
    int count = read(sock, buffer + got, sizeof buffer - got - 1);
    if (count <= 0) exit(1);
    got += count;
    buffer[got] = 0;
    headers_end = strstr(buffer, "\r\n\r\n");
  }
  char *length = strcasestr(buffer, "content-length:");
  int body_bytes = length ? atoi(length + strlen("content-length:")) : 0;
  if (request_id) {
    char *id = strcasestr(buffer, "lambda-runtime-aws-request-id:");
    if (!id) exit(2);
    id += strlen("lambda-runtime-aws-request-id:");
    while (*id == ' ') id++;
    int i = 0;
    while (id[i] != '\r' && i < 127) { request_id[i] = id[i]; i++; }
    request_id[i] = 0;
  }
  int have = got - (int)(headers_end + 4 - buffer);
  while (have < body_bytes) {
    int count = read(sock, buffer + got, sizeof buffer - got - 1);
    if (count <= 0) exit(1);
    got += count;
    have += count;
  }
}

int main(void) {
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api) return 1;
  char host[64];
  snprintf(host, sizeof host, "%s", api);
  char *colon = strchr(host, ':');
  if (!colon) return 1;
  *colon = 0;
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons(atoi(colon + 1));
  inet_pton(AF_INET, host, &address.sin_addr);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(sock, (struct sockaddr *)&address, sizeof address)) return 1;
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const char *answer = "{\"hello\":\"ada\"}";
  char request[1024], request_id[128];
  for (;;) {
    int n = snprintf(request, sizeof request,
                     "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
    if (write(sock, request, n) != n) return 1;
    read_response(sock, request_id);
    n = snprintf(request, sizeof request,
                 "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 request_id, api, strlen(answer), answer);
    if (write(sock, request, n) != n) return 1;
    read_response(sock, NULL);
  }
}
