#include "cache/util/peer.h"

#include <sys/socket.h>

namespace ddcc {

std::optional<uid_t> SocketPeerUid(int fd) {
  ucred credentials{};
  socklen_t size = sizeof(credentials);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return std::nullopt;
  return credentials.uid;
}

}  // namespace ddcc
