// EDGESYNC_CLIENT_API marks what libedgesync_client exports; everything else in the library
// (Beast, Asio, OpenSSL, nlohmann_json) is compiled in with hidden visibility.
#pragma once

#if defined(EDGESYNC_CLIENT_BUILDING)
#define EDGESYNC_CLIENT_API __attribute__((visibility("default")))
#else
#define EDGESYNC_CLIENT_API
#endif
