/* Preloaded into the gateway by `scripts/bench.sh flow --callgrind`.
 *
 * valgrind 3.19 (Debian 12's) handles rt_sigsuspend by clearing one signal
 * in the caller's mask in place. libdispatch's main thread waits in
 * sigsuspend on a mask it keeps in read-only memory, so valgrind itself
 * faults there and gives up. This sigsuspend hands the kernel a copy on the
 * stack instead; nothing else changes. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
