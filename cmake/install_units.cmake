# Runs at install time (see install.cmake): copies the systemd units, pointing ExecStart at the
# binary under the prefix being installed to.
file(GLOB units "${AKASH_UNIT_SOURCE_DIR}/*.service" "${AKASH_UNIT_SOURCE_DIR}/*.socket")
file(MAKE_DIRECTORY "${AKASH_UNIT_STAGING_DIR}")
foreach(unit IN LISTS units)
  get_filename_component(name "${unit}" NAME)
  file(READ "${unit}" text)
  string(REPLACE "/usr/bin/akash_exporter" "${CMAKE_INSTALL_PREFIX}/${AKASH_INSTALL_BINDIR}/akash_exporter"
         text "${text}")
  file(WRITE "${AKASH_UNIT_STAGING_DIR}/${name}" "${text}")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${AKASH_UNIT_STAGING_DIR}/${name}")
endforeach()
