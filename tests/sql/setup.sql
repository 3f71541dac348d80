CREATE TEMPORARY VIEW people USING csv OPTIONS (path '${data}/people.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW depts USING csv OPTIONS (path '${data}/depts.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW orders USING csv OPTIONS (path '${data}/orders.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW empty (id INT, v STRING) USING csv OPTIONS (path '${data}/empty.csv', header 'true');
CREATE TEMPORARY VIEW t1 USING csv OPTIONS (path '${data}/t1.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW t2 USING csv OPTIONS (path '${data}/t2.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW vals USING csv OPTIONS (path '${data}/vals.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW words USING csv OPTIONS (path '${data}/words.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW events USING csv OPTIONS (path '${data}/events.csv', header 'true', inferSchema 'true');
