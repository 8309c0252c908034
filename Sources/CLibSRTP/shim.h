// SPDX-License-Identifier: Apache-2.0
// libsrtp2 (the system library), used only by interop tests and benchmarks as a peer.
#include <srtp2/srtp.h>
