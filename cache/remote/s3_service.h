// An S3 bucket (AWS, or any server speaking its API: MinIO, Ceph, s3rver) as an HTTP remote:
// each entry is the object <prefix>/<key in hex>, read with GET and written with PUT, signed
// with AWS Signature Version 4 when the remote has credentials.
#pragma once

#include "cache/remote/http_backend.h"
#include "cache/remote/remote_spec.h"

namespace ddcc {

// `spec.url` must be an s3:// URL that passed ParseRemoteStorage.
HttpService S3Service(const RemoteSpec& spec);

// The object's path in a request: /<bucket>/<prefix>/<hex> path-style, /<prefix>/<hex>
// virtual-hosted.
std::string S3ObjectPath(const S3Address& address, const Digest& key);

}  // namespace ddcc
