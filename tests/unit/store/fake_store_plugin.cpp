// Modules the store plugin loader must refuse (store_plugin_loader_test): built once with
// FAKE_STORE_PLUGIN_wrong_abi (the entry points of a plugin built for another edgesync) and once with
// FAKE_STORE_PLUGIN_no_exports (a shared object with neither). The factory must never be called.
#include <cstdlib>

#ifdef FAKE_STORE_PLUGIN_wrong_abi
extern "C" {
__attribute__((visibility("default"))) const char* edgesync_store_plugin_abi() {
  return "edgesync-store-plugin 0; interface 0000000000000000";
}
__attribute__((visibility("default"))) void* edgesync_store_plugin_open(const void*, void*) {
  std::abort();
}
}
#endif

// Something to build when nothing above is.
extern "C" __attribute__((visibility("default"))) int fake_store_plugin_marker() {
  return 1;
}
