#include "cache/remote/tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

// OpenSSL's reason for the last failure, and clears its error queue.
std::string OpenSslError() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text.empty() ? "unknown TLS error" : text;
}

bool IsAddress(const std::string& host) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, host.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, host.c_str(), bytes) == 1;
}

}  // namespace

struct TlsSession::Handles {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  BIO* from_server = nullptr;  // owned by ssl once attached
  BIO* to_server = nullptr;
  ~Handles() {
    SSL_free(ssl);
    SSL_CTX_free(context);
  }
};

TlsSession::TlsSession(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}

TlsSession::~TlsSession() = default;

absl::StatusOr<std::unique_ptr<TlsSession>> TlsSession::Start(const TlsSettings& settings) {
  auto handles = std::make_unique<Handles>();
  handles->context = SSL_CTX_new(TLS_client_method());
  if (handles->context == nullptr) return absl::InternalError(OpenSslError());
  SSL_CTX* context = handles->context;
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (!settings.insecure) {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    const bool trusted = settings.ca_file.empty()
                             ? SSL_CTX_set_default_verify_paths(context) == 1
                             : SSL_CTX_load_verify_file(context, settings.ca_file.c_str()) == 1;
    if (!trusted) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read trusted certificates from ",
                       settings.ca_file.empty() ? "the system's store" : settings.ca_file, ": ",
                       OpenSslError()));
    }
  }
  if (!settings.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(context, settings.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(context, settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    return absl::FailedPreconditionError(absl::StrCat("cannot use the client certificate ",
                                                      settings.cert_file, ": ", OpenSslError()));
  }
  handles->ssl = SSL_new(context);
  handles->from_server = BIO_new(BIO_s_mem());
  handles->to_server = BIO_new(BIO_s_mem());
  if (handles->ssl == nullptr || handles->from_server == nullptr || handles->to_server == nullptr) {
    BIO_free(handles->from_server);
    BIO_free(handles->to_server);
    return absl::InternalError(OpenSslError());
  }
  SSL_set_bio(handles->ssl, handles->from_server, handles->to_server);
  SSL_set_connect_state(handles->ssl);
  if (!settings.insecure) {
    const bool named = IsAddress(settings.host)
                           ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handles->ssl),
                                                           settings.host.c_str()) == 1
                           : SSL_set1_host(handles->ssl, settings.host.c_str()) == 1;
    if (!named) return absl::InternalError(OpenSslError());
  }
  if (!IsAddress(settings.host)) SSL_set_tlsext_host_name(handles->ssl, settings.host.c_str());
  auto session = std::unique_ptr<TlsSession>(new TlsSession(std::move(handles)));
  if (absl::Status started = session->Advance(nullptr); !started.ok()) return started;
  return session;
}

absl::Status TlsSession::Received(absl::string_view cipher, std::string& plain) {
  if (BIO_write(handles_->from_server, cipher.data(), static_cast<int>(cipher.size())) !=
      static_cast<int>(cipher.size())) {
    return absl::InternalError(OpenSslError());
  }
  return Advance(&plain);
}

absl::Status TlsSession::Send(absl::string_view plain) {
  if (!handshake_done_) {
    unsent_.append(plain.data(), plain.size());
    return absl::OkStatus();
  }
  // Memory BIOs take everything: a write is whole or fails.
  while (!plain.empty()) {
    int written = SSL_write(handles_->ssl, plain.data(), static_cast<int>(plain.size()));
    if (written <= 0) return absl::UnavailableError(absl::StrCat("TLS: ", OpenSslError()));
    plain.remove_prefix(written);
  }
  return absl::OkStatus();
}

std::string TlsSession::TakeOutgoing() {
  std::string out(BIO_ctrl_pending(handles_->to_server), '\0');
  if (!out.empty()) {
    int read = BIO_read(handles_->to_server, out.data(), static_cast<int>(out.size()));
    out.resize(read > 0 ? read : 0);
  }
  return out;
}

// Goes as far as the bytes received allow: the handshake, then the queued plaintext out and
// what the server sent in (into `plain`, when given).
absl::Status TlsSession::Advance(std::string* plain) {
  SSL* ssl = handles_->ssl;
  if (!handshake_done_) {
    int done = SSL_do_handshake(ssl);
    if (done != 1) {
      int error = SSL_get_error(ssl, done);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return absl::OkStatus();
      long verified = SSL_get_verify_result(ssl);
      if (verified != X509_V_OK) {
        ERR_clear_error();
        return absl::UnavailableError(absl::StrCat("TLS: the server's certificate is not trusted: ",
                                                   X509_verify_cert_error_string(verified)));
      }
      return absl::UnavailableError(absl::StrCat("TLS handshake: ", OpenSslError()));
    }
    handshake_done_ = true;
    if (absl::Status sent = Send(std::exchange(unsent_, "")); !sent.ok()) return sent;
  }
  if (plain == nullptr) return absl::OkStatus();
  char buffer[16 * 1024];
  while (true) {
    int read = SSL_read(ssl, buffer, sizeof(buffer));
    if (read > 0) {
      plain->append(buffer, read);
      continue;
    }
    int error = SSL_get_error(ssl, read);
    // The server's close_notify: the socket's end follows, which the caller sees.
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_ZERO_RETURN) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat("TLS: ", OpenSslError()));
  }
}

}  // namespace ddcc
