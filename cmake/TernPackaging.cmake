# Install layout and the Debian packages tern-edge, tern-core and tern-tools (CPack DEB, one
# package per install component). `cmake --install build --prefix /usr` gives the same
# layout as the packages; `cpack -G DEB` in the build directory makes the .debs
# (docs/deploy.md). Included at the end of the top-level CMakeLists, after every install().
#
# Components: edge (tern-edge), core (tern-core), tools (ternctl, tern-board, tern-bench).
# Binaries go to <prefix>/bin; the configs (conffiles, absolute paths) to /etc/tern and the
# systemd units (from docs/systemd/, their ExecStart names /usr/bin) to /lib/systemd/system,
# both absolute whatever the prefix. The maintainer scripts in packaging/<component>/ create
# the `tern` system user and /var/lib/tern; enabling and starting the services is left to
# the operator.

set(TERN_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR}/../packaging)
set(TERN_SYSTEMD_DIR ${CMAKE_CURRENT_LIST_DIR}/../docs/systemd)

install(FILES ${TERN_PACKAGING_DIR}/etc/edge.conf DESTINATION /etc/tern COMPONENT edge)
install(FILES ${TERN_SYSTEMD_DIR}/tern-edge.service DESTINATION /lib/systemd/system
        COMPONENT edge)
install(FILES ${TERN_PACKAGING_DIR}/etc/core.conf DESTINATION /etc/tern COMPONENT core)
install(FILES ${TERN_SYSTEMD_DIR}/tern-core.service DESTINATION /lib/systemd/system
        COMPONENT core)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tern)
set(CPACK_PACKAGE_VENDOR "tern project")
set(CPACK_PACKAGE_CONTACT "tern maintainers <tern@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL edge core tools)
# Absolute install destinations (/etc/tern, /lib/systemd/system) are intended.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries from dpkg-shlibdeps (libmosquitto1, libsqlite3-0, libssl3, libzstd1,
# libspdlog1.10, libfmt9, libcpp-httplib0.11, libsystemd0, ...), package by package.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Stripped binaries (a RelWithDebInfo tern-core is mostly debug info), quick to compress.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# `cpack` and `cmake --install` package what is built and do not rebuild the whole tree
# (tests included) first: build with ninja before.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_DEBIAN_EDGE_PACKAGE_NAME tern-edge)
set(CPACK_COMPONENT_EDGE_DESCRIPTION
    "tern edge agent: collects, stores (SQLite) and replicates chunks on a site box")
set(CPACK_DEBIAN_EDGE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_EDGE_PACKAGE_CONTROL_EXTRA
    "${TERN_PACKAGING_DIR}/edge/conffiles;${TERN_PACKAGING_DIR}/edge/postinst;${TERN_PACKAGING_DIR}/edge/postrm")

set(CPACK_DEBIAN_CORE_PACKAGE_NAME tern-core)
set(CPACK_COMPONENT_CORE_DESCRIPTION
    "tern core: manifest, repair, HTTP API and the control board of a tern site")
set(CPACK_DEBIAN_CORE_PACKAGE_DEPENDS "adduser")
# The core talks to the site through a broker; on the machine-room box that is usually
# the local Mosquitto (docs/mosquitto-tern.conf).
set(CPACK_DEBIAN_CORE_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_CORE_PACKAGE_CONTROL_EXTRA
    "${TERN_PACKAGING_DIR}/core/conffiles;${TERN_PACKAGING_DIR}/core/postinst;${TERN_PACKAGING_DIR}/core/postrm")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME tern-tools)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "tern operator tools: ternctl (site CLI, backups), tern-board (control board), tern-bench")

include(CPack)
