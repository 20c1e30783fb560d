CREATE DATABASE clearance_test OWNER clearance;
