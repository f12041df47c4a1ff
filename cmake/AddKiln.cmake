#===- AddKiln.cmake - How Kiln declares its libraries ----------------------===#
#
# Kiln's libraries are MLIR libraries that are never part of libMLIR.so: no
# object-library twins, no MLIR install rules. Their MLIR dependencies go
# through mlir_target_link_libraries, anything else through LINK_LIBS or
# target_link_libraries.
#
#===------------------------------------------------------------------------===#

function(add_kiln_library name)
  add_mlir_library(${name} EXCLUDE_FROM_LIBMLIR DISABLE_INSTALL ${ARGN})
endfunction()
