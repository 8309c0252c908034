// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

// See CNetShim.h for why this shim exists. _GNU_SOURCE must come before every include so
// that glibc declares recvmmsg, sendmmsg, struct mmsghdr and the CPU_* macros.
#define _GNU_SOURCE 1

#include "CNetShim.h"

#include <errno.h>

#ifdef __linux__

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <stdint.h>

_Static_assert(sizeof(CNetShim_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(CNetShim_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int CNetShim_recvmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, MSG_WAITFORONE, NULL);
}

int CNetShim_sendmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, 0);
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103   // linux/udp.h, not in every libc's netinet/udp.h
#endif

int CNetShim_udpSegmentationAvailable(int fd) {
    int size = 0;
    socklen_t length = sizeof(size);
    return getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &size, &length) == 0;
}

size_t CNetShim_udpSegmentControlSize(void) { return CMSG_SPACE(sizeof(uint16_t)); }

void CNetShim_setUDPSegment(struct msghdr *message, void *control, unsigned short segmentSize) {
    if (segmentSize == 0) {
        message->msg_control = NULL;
        message->msg_controllen = 0;
        return;
    }
    memset(control, 0, CMSG_SPACE(sizeof(uint16_t)));
    message->msg_control = control;
    message->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
    struct cmsghdr *header = CMSG_FIRSTHDR(message);
    header->cmsg_level = IPPROTO_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t size = segmentSize;
    memcpy(CMSG_DATA(header), &size, sizeof(size));
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

int CNetShim_usableCPUs(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set)) continue;
        if (count < capacity) cpus[count] = cpu;
        count++;
    }
    return count;
}

// The libnuma functions used, looked up once. numa_available() must return >= 0 before any
// other libnuma call (numa(3)).
static struct {
    int available;
    int (*num_configured_nodes)(void);
    int (*node_of_cpu)(int);
    void (*set_preferred)(int);
    int (*max_node)(void);
} numa;
static pthread_once_t numa_once = PTHREAD_ONCE_INIT;

static void numa_load(void) {
    void *library = dlopen("libnuma.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return;
    int (*available)(void) = (int (*)(void))dlsym(library, "numa_available");
    numa.num_configured_nodes = (int (*)(void))dlsym(library, "numa_num_configured_nodes");
    numa.node_of_cpu = (int (*)(int))dlsym(library, "numa_node_of_cpu");
    numa.set_preferred = (void (*)(int))dlsym(library, "numa_set_preferred");
    numa.max_node = (int (*)(void))dlsym(library, "numa_max_node");
    if (available == NULL || numa.num_configured_nodes == NULL || numa.node_of_cpu == NULL ||
        numa.set_preferred == NULL || numa.max_node == NULL || available() < 0) {
        dlclose(library);
        return;
    }
    numa.available = 1;   // the library stays loaded for the life of the process
}

int CNetShim_numaAvailable(void) {
    pthread_once(&numa_once, numa_load);
    return numa.available;
}

int CNetShim_numaNodeCount(void) {
    if (!CNetShim_numaAvailable()) return 1;
    int count = numa.num_configured_nodes();
    return count > 0 ? count : 1;
}

int CNetShim_numaNodeOfCPU(int cpu) {
    if (!CNetShim_numaAvailable()) return -1;
    int saved = errno;
    int node = numa.node_of_cpu(cpu);
    errno = saved;
    return node;
}

int CNetShim_numaPreferNode(int node) {
    if (!CNetShim_numaAvailable() || node < 0 || node > numa.max_node()) return -1;
    numa.set_preferred(node);
    return 0;
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

int CNetShim_udpSegmentationAvailable(int fd) {
    (void)fd;
    return 0;
}

size_t CNetShim_udpSegmentControlSize(void) { return 0; }

void CNetShim_setUDPSegment(struct msghdr *message, void *control, unsigned short segmentSize) {
    (void)control; (void)segmentSize;
    message->msg_control = NULL;
    message->msg_controllen = 0;
}

int CNetShim_pinCurrentThread(int cpu) {
    (void)cpu;
    errno = ENOSYS;
    return -1;
}

int CNetShim_usableCPUCount(void) { return 1; }

int CNetShim_usableCPUs(int *cpus, int capacity) {
    if (capacity > 0) cpus[0] = 0;
    return 1;
}

int CNetShim_numaAvailable(void) { return 0; }

int CNetShim_numaNodeCount(void) { return 1; }

int CNetShim_numaNodeOfCPU(int cpu) {
    (void)cpu;
    return -1;
}

int CNetShim_numaPreferNode(int node) {
    (void)node;
    return -1;
}

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
