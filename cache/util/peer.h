// Who is at the other end of a Unix socket.
#pragma once

#include <sys/types.h>

#include <optional>

namespace ddcc {

// The user id of the process that made the connected Unix socket `fd`'s other end (its
// listener's, for a connection made with connect), as the kernel recorded it; none where it
// cannot tell.
std::optional<uid_t> SocketPeerUid(int fd);

}  // namespace ddcc
