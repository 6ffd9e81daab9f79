#!/usr/bin/env python3
"""Summarises a `perf record -g` profile of bot-gateway as Markdown tables.

usage: perf_summary.py PERF_DATA [TOP]

Reads `perf script` and, for every sample:
- "where": the leaf frame's kind (kernel, malloc, Swift runtime, a module...);
- "on behalf of": walking from the leaf towards the root, the first frame in a
  named module (the project's, SwiftNIO, Hummingbird, PostgresNIO, JSON...), so
  the runtime, malloc and kernel time a module causes is charged to it;
- inclusive shares of the project's own functions (the sample's stack holds
  the function; async frames end a stack at their task's entry, so callers
  across an `await` are not seen).
"""
import collections
import re
import subprocess
import sys

PROJECT = {
    "Gateway", "UKManagementBot", "Conversations", "Localization", "TelegramBotAPI",
    "RedisClient", "CurlHTTP", "Persistence", "OpenSSLTLS", "bot_gateway",
}


def swift_module(symbol):
    if symbol.startswith("$ss"):
        return "Swift"
    match = re.match(r"\$s(\d+)", symbol)
    if not match:
        return None
    length = int(match.group(1))
    start = match.end()
    return symbol[start:start + length]


def component(symbol, dso):
    """The named component a frame belongs to, or None for runtime/kernel/libc."""
    if "libcurl" in dso:
        return "libcurl"
    if "libssl" in dso or "libcrypto" in dso:
        return "OpenSSL (libssl/libcrypto)"
    if "libhiredis" in dso:
        return "hiredis (RESP encode/decode)"
    module = swift_module(symbol)
    if module is None:
        return None
    if module in PROJECT:
        return module
    if module.startswith("NIO") or module.startswith("_NIO"):
        return "SwiftNIO"
    if module.startswith("Hummingbird"):
        return "Hummingbird"
    if module in ("PostgresNIO", "_ConnectionPoolModule"):
        return "PostgresNIO"
    if module == "Logging":
        return "swift-log"
    if module in ("Metrics", "CoreMetrics", "Prometheus"):
        return "swift-metrics / Prometheus"
    if module == "ServiceLifecycle":
        return "ServiceLifecycle"
    if module in ("FoundationEssentials", "Foundation", "FoundationInternationalization"):
        return "Foundation JSON" if "JSON" in symbol else "Foundation (other)"
    return None


def leaf_kind(symbol, dso):
    if "kernel" in dso:
        return "kernel (syscalls, network stack, scheduling)"
    if re.search(r"malloc|free|calloc|realloc|_int_|unlink_chunk|tcache|consolidate", symbol) and "libc" in dso:
        return "malloc / free"
    if "libc.so" in dso or "ld-linux" in dso or "vdso" in dso:
        return "libc (other: memcpy, locks, printf...)"
    if "libswift_Concurrency" in dso or "libdispatch" in dso:
        return "Swift concurrency runtime / dispatch"
    if re.search(r"retain|release|isUniquelyReferenced|RefCount|dealloc", symbol):
        return "Swift retain / release"
    if re.search(r"Metadata|WitnessTable|getCache|ConcurrentReadableHashMap|tryCast|dynamicCast|instantiateConcreteType|getTypeByMangled|conformsTo|EnumCase", symbol):
        return "Swift generics metadata / casts"
    named = component(symbol, dso)
    if named:
        return named
    if "libswiftCore" in dso or swift_module(symbol) == "Swift":
        return "Swift stdlib (other)"
    return "other"


def samples(path):
    text = subprocess.run(
        ["perf", "script", "-i", path, "-F", "ip,sym,dso"],
        check=True, capture_output=True, text=True, errors="replace",
    ).stdout
    stack = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            if stack:
                yield stack
            stack = []
            continue
        match = re.match(r"^[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)$", line)
        if match:
            stack.append((match.group(1), match.group(2)))
    if stack:
        yield stack


def demangle(symbols):
    if not symbols:
        return {}
    result = subprocess.run(
        ["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
        capture_output=True, text=True, errors="replace",
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != len(symbols):
        return {symbol: symbol for symbol in symbols}
    return dict(zip(symbols, lines))


def table(title, counts, total, top):
    print(f"| {title} | share of gateway CPU |")
    print("| --- | ---: |")
    for name, count in counts.most_common(top):
        print(f"| {name} | {100.0 * count / total:.1f} % |")
    print()


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    leaves = collections.Counter()
    behalf = collections.Counter()
    inclusive = collections.Counter()
    total = 0
    for stack in samples(path):
        total += 1
        symbol, dso = stack[0]
        leaves[leaf_kind(symbol, dso)] += 1
        owner = next((c for c in (component(s, d) for s, d in stack) if c), "unattributed (runtime/kernel only)")
        behalf[owner] += 1
        seen = set()
        for symbol, dso in stack:
            if swift_module(symbol) in PROJECT and symbol not in seen:
                seen.add(symbol)
                inclusive[symbol] += 1
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples of `perf record -e cpu-clock -F 999 -g` on the gateway.\n")
    table("where the CPU goes (leaf frame)", leaves, total, top)
    table("on behalf of (first named module from the leaf up)", behalf, total, top)
    names = demangle([symbol for symbol, _ in inclusive.most_common(top)])
    print("| project function (inclusive; async callers not seen) | share |")
    print("| --- | ---: |")
    for symbol, count in inclusive.most_common(top):
        name = names.get(symbol, symbol).replace("|", "\\|")
        if len(name) > 150:
            name = name[:147] + "..."
        print(f"| `{name}` | {100.0 * count / total:.1f} % |")


if __name__ == "__main__":
    main()
