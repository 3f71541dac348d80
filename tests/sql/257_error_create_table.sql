-- error: only TEMPORARY views are supported
CREATE TABLE x (a INT);
