// The client side of one TLS connection, as bytes in and bytes out: the caller moves the
// ciphertext between the session and its socket (a libuv stream), so TLS sits under any protocol
// ddcc speaks without owning a socket. OpenSSL, linked statically and set up only when a remote
// asks for TLS, so that a compile without one pays nothing for it.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

struct TlsSettings {
  std::string host;       // the name (or address) the certificate must be for; sent as SNI
  std::string ca_file;    // trusted certificates (PEM); empty: the system's store
  std::string cert_file;  // the client's certificate (PEM), if any
  std::string key_file;   // and its key
  bool insecure = false;  // no verification at all
};

class TlsSession {
 public:
  // A session whose handshake starts at once: its first bytes wait in TakeOutgoing.
  static absl::StatusOr<std::unique_ptr<TlsSession>> Start(const TlsSettings& settings);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Takes ciphertext from the server; appends to `plain` what it decrypts to. An error where the
  // handshake fails (a certificate not trusted, not for the host) or the stream is corrupt.
  absl::Status Received(absl::string_view cipher, std::string& plain);
  // Queues plaintext for the server: encrypted at once once the handshake is done, else then.
  absl::Status Send(absl::string_view plain);
  // Ciphertext for the server, to be written to the socket in this order.
  std::string TakeOutgoing();

  bool handshake_done() const { return handshake_done_; }

 private:
  struct Handles;
  explicit TlsSession(std::unique_ptr<Handles> handles);
  absl::Status Advance(std::string* plain);

  std::unique_ptr<Handles> handles_;
  bool handshake_done_ = false;
  std::string unsent_;  // plaintext queued before the handshake was done
};

}  // namespace ddcc
