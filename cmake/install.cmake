# Install layout (`cmake --install`) and the Debian package (`cpack -G DEB`).
#
#   <prefix>/bin/akash_exporter
#   <prefix>/lib/systemd/system/akash-exporter.{service,socket}   ExecStart follows <prefix>
#   <prefix>/share/doc/akash-exporter/config.yml.example, README.md, docs/*.md
#   <prefix>/share/akash-exporter/dashboards/*.json               Grafana dashboards
#   <prefix>/share/akash-exporter/rules/*.yml                     Prometheus rules
#
# The package installs under /usr. Nothing goes to /etc: the admin writes
# /etc/akash-exporter/config.yml from the example, so upgrades never touch it.
include(GNUInstallDirs)

set(AKASH_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/akash-exporter)
set(AKASH_DATA_DIR ${CMAKE_INSTALL_DATAROOTDIR}/akash-exporter)

# The unit files in systemd/ name /usr/bin/akash_exporter, the packaged path. They are rewritten
# at install time, not configure time, because cpack installs with its own prefix (/usr)
# whatever prefix the build was configured with.
install(CODE "set(AKASH_UNIT_SOURCE_DIR \"${PROJECT_SOURCE_DIR}/systemd\")
set(AKASH_UNIT_STAGING_DIR \"${PROJECT_BINARY_DIR}/systemd-install\")
set(AKASH_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install_units.cmake)

install(FILES ${PROJECT_SOURCE_DIR}/docs/config.yml.example ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${AKASH_DOC_DIR})
file(GLOB AKASH_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${AKASH_DOCS} DESTINATION ${AKASH_DOC_DIR}/docs)

# Dashboards and rules are whatever the repository holds at configure time.
file(GLOB AKASH_DASHBOARDS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/dashboards/*.json)
if(AKASH_DASHBOARDS)
  install(FILES ${AKASH_DASHBOARDS} DESTINATION ${AKASH_DATA_DIR}/dashboards)
endif()
# Rule files are those with a top-level `groups:`; promtool unit-test files stay out.
file(GLOB AKASH_RULE_CANDIDATES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/rules/*.yml
     ${PROJECT_SOURCE_DIR}/rules/*.yaml)
set(AKASH_RULES "")
foreach(candidate IN LISTS AKASH_RULE_CANDIDATES)
  file(STRINGS ${candidate} groups_line REGEX "^groups:" LIMIT_COUNT 1)
  if(groups_line)
    list(APPEND AKASH_RULES ${candidate})
  endif()
endforeach()
if(AKASH_RULES)
  install(FILES ${AKASH_RULES} DESTINATION ${AKASH_DATA_DIR}/rules)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME akash-exporter)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "akash_exporter")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter for the Akash Network")
set(CPACK_PACKAGE_DESCRIPTION
    "Exports provider earnings, leases, capacity, market and tenant billing figures of the Akash\nNetwork as Prometheus metrics. Ships a hardened systemd unit, Grafana dashboards and\nPrometheus rules.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "akash_exporter maintainers <akash-exporter@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the ELF's shared libraries, via dpkg-shlibdeps (dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, systemd")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/" "/\\\\.git/")
include(CPack)
