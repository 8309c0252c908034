// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

// CNetShim: the few Linux socket and scheduler calls Swift cannot reach through Glibc.
//
// Why it exists: recvmmsg/sendmmsg, struct mmsghdr, UDP_SEGMENT and sched_setaffinity's
// cpu_set_t macros are declared by glibc only under _GNU_SOURCE, which the Glibc module
// Swift imports does not define, and CPU_SET is a macro Swift cannot call. The shim defines
// _GNU_SOURCE in shim.c and exposes plain functions with the `CNetShim_` prefix. It can go
// when Swift's Glibc module exposes these declarations (or swift-system grows them).
// libnuma is reached through dlopen/dlsym rather than linked, so that building and running
// the package never requires it (see CNetShim_numaAvailable).
//
// On other systems every function fails with ENOSYS (the callers then fall back to
// recvfrom/sendto one datagram at a time).

#ifndef CNETSHIM_H
#define CNETSHIM_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The layout of Linux's `struct mmsghdr`: one datagram of a batch and the byte count the
/// kernel filled in (checked against the real struct in shim.c).
typedef struct CNetShim_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} CNetShim_mmsghdr;

/// recvmmsg(2) with MSG_WAITFORONE: blocks (up to the socket's SO_RCVTIMEO) for the first
/// datagram, then returns what is queued, at most `count`. Returns the number received, or
/// -1 with errno set (EAGAIN/EWOULDBLOCK on timeout).
int CNetShim_recvmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count);

/// sendmmsg(2): sends `count` datagrams; returns how many went out, or -1 with errno set.
int CNetShim_sendmmsg(int fd, CNetShim_mmsghdr *messages, unsigned int count);

/// UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18+): one sendmsg carries several
/// datagrams for the same destination, all `segmentSize` bytes but the last (which may be
/// shorter), and the kernel (or the NIC) cuts them apart. 1 when the kernel knows the option
/// on `fd`, else 0.
int CNetShim_udpSegmentationAvailable(int fd);

/// The bytes of control buffer one UDP_SEGMENT control message takes (CMSG_SPACE of a u16).
size_t CNetShim_udpSegmentControlSize(void);

/// Makes `message` a segmented send of `segmentSize`-byte datagrams: writes the UDP_SEGMENT
/// control message into `control` (CNetShim_udpSegmentControlSize() bytes) and points
/// `message` at it. A `segmentSize` of 0 makes it an ordinary send (no control message).
void CNetShim_setUDPSegment(struct msghdr *message, void *control, unsigned short segmentSize);

/// Pins the calling thread to CPU `cpu` (sched_setaffinity). Returns 0, or -1 with errno.
int CNetShim_pinCurrentThread(int cpu);

/// The number of CPUs the calling thread may run on (sched_getaffinity), at least 1.
int CNetShim_usableCPUCount(void);

/// Writes the ids of the CPUs the calling thread may run on (sched_getaffinity), in
/// increasing order, up to `capacity` of them; returns how many there are (which may exceed
/// `capacity`), or 0 when unknown.
int CNetShim_usableCPUs(int *cpus, int capacity);

/// NUMA through libnuma, loaded at run time (dlopen "libnuma.so.1") so that the package does
/// not need the library: without it, or where the kernel has no NUMA support, the machine
/// counts as one node and the calls below do nothing.
///
/// 1 when libnuma was loaded and reports NUMA available, else 0.
int CNetShim_numaAvailable(void);

/// The number of NUMA nodes the machine has (numa_num_configured_nodes), 1 without NUMA.
int CNetShim_numaNodeCount(void);

/// The node of CPU `cpu` (numa_node_of_cpu), or -1 without NUMA or for an unknown CPU.
int CNetShim_numaNodeOfCPU(int cpu);

/// Makes memory the calling thread allocates from now on come from node `node` when it has
/// free pages (numa_set_preferred). Returns 0, or -1 without NUMA or for a bad node.
int CNetShim_numaPreferNode(int node);

/// Names the calling thread (at most 15 bytes are kept), for `top -H`, `perf` and gdb.
/// Returns 0, or an error number.
int CNetShim_setCurrentThreadName(const char *name);

/// Sets SO_REUSEPORT on `fd`. Returns 0, or -1 with errno.
int CNetShim_setReusePort(int fd);

/// Sets a receive timeout (SO_RCVTIMEO) of `milliseconds` on `fd`. Returns 0, or -1.
int CNetShim_setReceiveTimeout(int fd, int milliseconds);

#ifdef __cplusplus
}
#endif

#endif
