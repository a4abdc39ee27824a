// The module of store_test_sqlite and store_test_postgres: the shared store suite (store_test.cpp,
// event_log_test.cpp) compiled once per backend.
#define BOOST_TEST_MODULE store_test
#include <boost/test/unit_test.hpp>
