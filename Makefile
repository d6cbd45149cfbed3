# rumpus: the top-level Makefile.
#
# GNU make and bmake both read this file, so it uses only syntax the two share:
# every target first installs what is missing (CI/deps.sh, apt-get when needed),
# then hands over to bmake, which builds the tree with its bsd.*.mk files
# (mk/build.mk is the top of that tree).  Nothing else lives here.
#
#	make		build everything (into build/)
#	make run	the main job: the bundled scenarios through the runner
#	make test	the functional suite under kyua; ends "tests: N passed, M failed"
#	make sanitize	build (build-sanitize/) and test once more under ASan + UBSan
#	make nofaults	build without fault points (build-nofaults/) and check it
#	make bench	run the benchmarks under bench/ and print their figures
#	make clean	remove build/ and build-sanitize/

.PHONY: all run test sanitize nofaults bench clean

all run test sanitize nofaults bench:
	@sh CI/deps.sh
	@sh CI/bmake.sh $@

clean:
	rm -rf build build-sanitize build-nofaults build-sanitize-nofaults
