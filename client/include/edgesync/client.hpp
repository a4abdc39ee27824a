// The edgesync C++ client SDK: #include <edgesync/client.hpp>, link edgesync::client.
#pragma once

#include "edgesync/client/error.hpp"
#include "edgesync/client/json.hpp"
#include "edgesync/client/sync_client.hpp"
#include "edgesync/client/types.hpp"
