// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

// See CNetShim.h for why this shim exists. _GNU_SOURCE must come before every include so
// that glibc declares recvmmsg, sendmmsg, struct mmsghdr and the CPU_* macros.
#define _GNU_SOURCE 1

#include "CNetShim.h"

#include <errno.h>

#ifdef __linux__

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

_Static_assert(sizeof(CNetShim_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(CNetShim_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int CNetShim_recvmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, MSG_WAITFORONE, NULL);
}

int CNetShim_sendmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, 0);
}

int CNetShim_pinCurrentThread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

int CNetShim_usableCPUCount(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int CNetShim_setCurrentThreadName(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}

int CNetShim_setReusePort(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
}

int CNetShim_setReceiveTimeout(int fd, int milliseconds) {
    struct timeval timeout = { .tv_sec = milliseconds / 1000, .tv_usec = (milliseconds % 1000) * 1000 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

#else

int CNetShim_recvmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    (void)fd; (void)messages; (void)count;
    errno = ENOSYS;
    return -1;
}

int CNetShim_sendmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    (void)fd; (void)messages; (void)count;
    errno = ENOSYS;
    return -1;
}

int CNetShim_pinCurrentThread(int cpu) {
    (void)cpu;
    errno = ENOSYS;
    return -1;
}

int CNetShim_usableCPUCount(void) { return 1; }

int CNetShim_setCurrentThreadName(const char *name) {
    (void)name;
    return ENOSYS;
}

int CNetShim_setReusePort(int fd) {
    (void)fd;
    errno = ENOSYS;
    return -1;
}

int CNetShim_setReceiveTimeout(int fd, int milliseconds) {
    (void)fd; (void)milliseconds;
    errno = ENOSYS;
    return -1;
}

#endif
