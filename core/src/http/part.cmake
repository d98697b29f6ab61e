# The core's HTTP API and Prometheus /metrics (cpp-httplib, Debian's compiled
# libcpp-httplib; its pkg-config file carries the SSL/zlib/brotli defines the library was
# built with, which must match for the Server/Client class layouts — so every file that
# includes httplib.h sees CPPHTTPLIB_OPENSSL_SUPPORT). server.cpp calls OpenSSL itself, hence
# OpenSSL::SSL. The token book and the settings patch are used by ternctl too.
# Paths relative to core/.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
target_sources(tern_core PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_api.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/ops_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/board_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/search_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/respond.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/gate.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_tokens.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/query.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/render.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/exposition.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/metrics_nodes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/metrics_core.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/settings_patch.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/server.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/views.cpp
)
target_link_libraries(tern_core PRIVATE PkgConfig::HTTPLIB OpenSSL::SSL OpenSSL::Crypto)

tern_test(http_tests SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_api_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_auth_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_tls_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/healthz_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/http_tokens_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/render_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/repair_api_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/query_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/settings_patch_test.cpp
  LIBS tern_core tern_testing PkgConfig::HTTPLIB)
if(TARGET http_tests)
  target_include_directories(http_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/http)
endif()
