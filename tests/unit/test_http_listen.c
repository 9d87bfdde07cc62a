/* test_http_listen.c -- --listen parsing (HOST:PORT) and the server's start-up refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net/http.h"

static void test_accepts(void **state)
{
    (void)state;
    struct sockaddr_storage a;
    socklen_t len;
    assert_int_equal(tl_http_parse_listen(TL_HTTP_LISTEN_DEFAULT, &a, &len, NULL), 0);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
    assert_int_equal(v4->sin_family, AF_INET);
    assert_int_equal(ntohs(v4->sin_port), 8003);
    assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(len, sizeof(*v4));
    assert_int_equal(tl_http_parse_listen("localhost:0", &a, &len, NULL), 0);
    assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(tl_http_parse_listen("0.0.0.0:65535", &a, &len, NULL), 0);
    assert_int_equal(ntohs(v4->sin_port), 65535);
    assert_int_equal(tl_http_parse_listen("[::1]:8080", &a, &len, NULL), 0);
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
    assert_int_equal(v6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(v6->sin6_port), 8080);
    assert_int_equal(len, sizeof(*v6));
}

static void refused(const char *s, const char *want)
{
    struct sockaddr_storage a;
    memset(&a, 0x5a, sizeof(a));
    socklen_t len = 77;
    tl_err err;
    assert_int_equal(tl_http_parse_listen(s, &a, &len, &err), TL_EINVAL);
    if (strstr(err.msg, want) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", s, err.msg, want);
    assert_int_equal(len, 77); /* untouched */
}

static void test_refuses_with_reasons(void **state)
{
    (void)state;
    refused("", "empty");
    refused("8003", "expected HOST:PORT");
    refused(":8003", "host is missing");
    refused("127.0.0.1:", "not a number");
    refused("127.0.0.1:65536", "not a number in 0..65535");
    refused("127.0.0.1:80a", "not a number");
    refused("127.0.0.1:-1", "not a number");
    refused("127.0.0.1:123456", "not a number");
    refused("example.com:80", "not an IPv4 address");
    refused("300.1.1.1:80", "not an IPv4 address");
    refused("::1:80", "brackets");
    refused("[::1:80", "unclosed");
    refused("[zz]:80", "not an IPv6 address");
}

static int never(void *ctx, tl_http_req *req, tl_err *err)
{
    (void)ctx;
    (void)req;
    (void)err;
    return 0;
}

static void test_start_refuses_bad_routes_and_busy_ports(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    tl_http a, b;
    tl_err err;
    tl_http_options opt = {.listen = "127.0.0.1:0"};
    const tl_http_route dup[] = {{"GET", "/x", 0, never, NULL}, {"GET", "/x", 0, never, NULL}};
    assert_int_equal(tl_http_start(&a, &loop, &opt, dup, 2, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "twice"));
    const tl_http_route rel[] = {{"GET", "x", 0, never, NULL}};
    assert_int_equal(tl_http_start(&a, &loop, &opt, rel, 1, &err), TL_EINVAL);
    opt.listen = "nowhere";
    assert_int_equal(tl_http_start(&a, &loop, &opt, dup, 1, &err), TL_EINVAL);

    opt.listen = "127.0.0.1:0";
    assert_int_equal(tl_http_start(&a, &loop, &opt, dup, 1, &err), 0);
    assert_true(tl_http_port(&a) > 0);
    char busy[32];
    snprintf(busy, sizeof(busy), "127.0.0.1:%u", (unsigned)tl_http_port(&a));
    opt.listen = busy;
    assert_int_equal(tl_http_start(&b, &loop, &opt, dup, 1, &err), TL_EIO);
    assert_non_null(strstr(err.msg, busy));
    tl_http_close(&a);
    uv_run(&loop, UV_RUN_DEFAULT); /* the handles' close callbacks free their memory */
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses_with_reasons),
        cmocka_unit_test(test_start_refuses_bad_routes_and_busy_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
